"""The password hasher: Argon2id with parameters measured on this machine (docs/security.md, bench/login.py).

The algorithm name stays "argon2", so hashes made with Django's default Argon2 parameters still verify; Django's
`must_update` compares the stored parameters with these and re-hashes at the next successful login, as it does for
PBKDF2 hashes (listed after this hasher in PASSWORD_HASHERS)."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class PerfbudgetArgon2Hasher(Argon2PasswordHasher):
    """OWASP's first Argon2id configuration: 19 MiB, 2 passes, 1 lane (≈ 45–50 ms of CPU per hash here, against
    ≈ 370 ms for Django's 100 MiB × 2 passes × 8 lanes and ≈ 700 ms for PBKDF2 at Django's iteration count)."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
