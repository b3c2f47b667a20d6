"""Several servers (issue 15): two app servers (gunicorn) and two workers on one PostgreSQL database and one shared
directory of private files, once on the database task backend and once on RQ (Redis). Everything goes over real
HTTP and real processes: a batch asked for on server A is built once, by one worker, and downloads from server B;
a worker killed with SIGKILL in the middle of a batch leaves a job that the sweep queues again, the other worker
builds it, and the page tells the user.

Needs PostgreSQL (DATABASE_URL's server in CI, else 127.0.0.1:5432) and, for the RQ case, Redis (REDIS_URL in CI,
else 127.0.0.1:6379): without them the tests fail, they are never skipped.
"""

import io
import os
import re
import zipfile

import pytest

from . import cluster
from .personas import PASSWORD, REVIEWER_OF

REVIEWER = REVIEWER_OF["s3-proj1"]  # yq_wjw, 阳泉市卫健委: sees the five 2024 projects of 市四院 (seed 003)
BIG_YEAR, BIG_COUNT = 2030, 16  # the batch a worker is killed in the middle of (short filings: quick PDFs)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A database with the demo and the big batch's filings, copied for each cluster (migrate and load_demo take
    half a minute: once is enough)."""
    server = cluster.postgres_server()
    name = f"perfbudget_servers_template_{os.getpid()}"
    url = cluster.create_database(server, name)
    try:
        builder = cluster.Cluster(url, tmp_path_factory.mktemp("template"))
        builder.manage("migrate", "-v", "0")
        builder.manage("load_demo")
        cluster.add_project_filings(builder, BIG_YEAR, BIG_COUNT, copies=False)
        yield server, name
    finally:
        cluster.drop_database(server, name)


@pytest.fixture(scope="module", params=["database", "rq"])
def servers(request, template, tmp_path_factory):
    """Servers A and B and two workers, on a fresh copy of the template (and, for RQ, an empty Redis database)."""
    server, template_name = template
    backend = request.param
    redis, flush = cluster.redis_url() if backend == "rq" else ("", False)
    name = f"perfbudget_servers_{backend}_{os.getpid()}"
    group = cluster.Cluster(cluster.create_database(server, name, template=template_name),
                            tmp_path_factory.mktemp(backend), backend=backend, redis=redis)
    try:
        group.workers = [group.start_worker("worker-1"), group.start_worker("worker-2")]
        group.a, group.b = group.start_app("A"), group.start_app("B")
        group.wait_for_workers(2)
        yield group
    finally:
        group.stop()
        print(group.logs())  # shown by pytest when a test failed
        cluster.drop_database(server, name)
        if flush:
            cluster.flush_redis(redis)


def ask_for_batch(browser: cluster.Browser, server: cluster.Process, year: int) -> int:
    """POST 批量下载PDF as the 工作台 does; answers the job's number from the redirect to its 下载任务 page."""
    answer = browser.post(f"{server.url}/filings/batches/new/", {"year": str(year)})
    assert answer.status == 302, answer.text[-500:]
    pk = int(re.fullmatch(r"/filings/downloads/(\d+)/", answer.location).group(1))
    page = browser.get(server.url + answer.location)
    assert page.status == 200 and "下载任务" in page.text
    return pk


def wait_until_done(group: cluster.Cluster, pk: int, timeout: float = 90) -> dict:
    def finished():
        job = group.job(pk)
        assert job["state"] != "failed", f"job failed: {job['error']}\n{group.logs()}"
        return job if job["state"] == "done" else None

    return cluster.wait_for(finished, timeout, f"download job {pk} to be built")


def zip_names(answer: cluster.Response) -> list[str]:
    assert answer.status == 200, answer.text[-500:]
    assert answer.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.body))
    assert all(archive.read(name).startswith(b"%PDF-") for name in archive.namelist())
    return archive.namelist()


def task_runs(group: cluster.Cluster, pk: int) -> list[tuple[str, list[str]]]:
    """Each run of the build_download task for job `pk` the backend recorded: (status, worker ids)."""
    if group.backend == "database":
        return [(status, workers) for status, workers in group.sql(
            "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult "
            "WHERE task_path = 'filings.tasks.build_download' AND args_kwargs -> 'args' = %s::jsonb "
            "ORDER BY enqueued_at", (f"[{pk}]",))]
    import redis
    from rq.job import Job
    from rq.registry import FailedJobRegistry, FinishedJobRegistry, StartedJobRegistry

    connection = redis.Redis.from_url(group.redis)
    runs = []
    for registry, status in ((FinishedJobRegistry, "SUCCESSFUL"), (FailedJobRegistry, "FAILED"),
                             (StartedJobRegistry, "RUNNING")):
        for job_id in registry("default", connection=connection).get_job_ids():
            job = Job.fetch(job_id, connection=connection)
            if job.func_name == "filings.tasks.build_download" and list(job.args) == [pk]:
                runs.append((status, [job.worker_name]))
    return runs


def test_a_batch_asked_for_on_server_a_is_built_once_by_one_worker_and_downloads_from_server_b(servers):
    browser = cluster.Browser()
    browser.sign_in(servers.a.url, REVIEWER, PASSWORD)
    pk = ask_for_batch(browser, servers.a, 2024)
    cluster.wait_for(lambda: browser.job_state(servers.a.url, pk) == "done", 90, "the job page on A to say 已完成")

    # Server B knows the session started on A (one database, one SECRET_KEY): a stranger is sent to sign in.
    assert cluster.Browser().get(f"{servers.b.url}/filings/downloads/{pk}/").status == 302
    page = browser.get(f"{servers.b.url}/filings/downloads/{pk}/")
    assert page.status == 200 and "已完成" in page.text and f"/filings/downloads/{pk}/file/" in page.text
    names = zip_names(browser.get(f"{servers.b.url}/filings/downloads/{pk}/file/"))
    assert len(names) == 5  # the five 2024 projects of 市四院

    job = servers.job(pk)
    assert (job["state"], job["attempts"], job["total"], job["done"]) == ("done", 1, 5, 5)
    assert cluster.worker_pid(job["worker"]) in servers.worker_pids()
    assert task_runs(servers, pk) == [("SUCCESSFUL", [job["worker"]])]  # one run, on the worker that built it
    assert servers.sql("SELECT count(*) FROM filings_notification WHERE download_id = %s AND message LIKE %s",
                       (pk, "%已生成%共 5 份%"))[0][0] == 1


def test_a_worker_killed_mid_batch_leaves_a_job_the_sweep_queues_again_for_the_other_worker(servers):
    browser = cluster.Browser()
    browser.sign_in(servers.b.url, REVIEWER, PASSWORD)
    pk = ask_for_batch(browser, servers.b, BIG_YEAR)

    def building():
        job = servers.job(pk)
        assert job["state"] != "done", "the batch was built before the worker could be killed"
        return job if job["state"] == "running" and job["done"] >= 1 else None

    first = cluster.wait_for(building, 60, "the batch to be half built", interval=0.05)
    holder = servers.worker_pids()[cluster.worker_pid(first["worker"])]
    family = cluster.descendants(holder.popen.pid)
    assert family or servers.backend == "database"  # RQ renders in a work-horse it forked for the job
    holder.kill(family)  # SIGKILL to the worker and to the horse (which RQ puts in a process group of its own)
    assert not holder.alive()
    cluster.wait_for(lambda: not any(cluster.running(pid) for pid in family), 10, "the work-horse to be gone")

    job = wait_until_done(servers, pk, timeout=120)
    assert job["attempts"] == 2 and job["worker"] != first["worker"]
    assert cluster.worker_pid(job["worker"]) in servers.worker_pids()
    assert "第 1 次生成中断" in job["note"]
    page = browser.get(f"{servers.a.url}/filings/downloads/{pk}/")
    assert "已完成" in page.text and "第 1 次生成中断（后台工作进程停止），已自动重新排队" in page.text
    assert len(zip_names(browser.get(f"{servers.a.url}/filings/downloads/{pk}/file/"))) == BIG_COUNT

    runs = task_runs(servers, pk)
    assert ("SUCCESSFUL", [job["worker"]]) in runs and len(runs) == 2
    if servers.backend == "database":  # the sweep also marked the dead worker's task failed
        assert ("FAILED", [first["worker"]]) in runs
