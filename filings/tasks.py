"""The app's background tasks (django.tasks): whichever backend the settings name runs them (database or RQ)."""

from django.tasks import task

from . import download_jobs, mailing


@task(takes_context=True)
def build_download(context, job_id: int) -> str:
    worker = (context.task_result.worker_ids or ["?"])[-1]
    return download_jobs.run(job_id, worker)


@task(queue_name="mail")
def send_mails(mails: list[dict], attempt: int = 0) -> dict:
    """Notification e-mails (dicts of to, subject, body). The task schedules its own retries: what a server could not
    take just then goes into a new, deferred send_mails with the next attempt number; see `filings.mailing`."""
    return mailing.send(mails, attempt, retry_task=send_mails)
