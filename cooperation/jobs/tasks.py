"""The jobs' tasks, run by the worker (``manage.py jobs_worker``) through Django's tasks framework (the
``django-tasks`` backport of Django 6's ``django.tasks``, stored by ``django-tasks-db``)."""

from __future__ import annotations

from django_tasks import TaskContext, task

from cooperation.jobs import services


@task(takes_context=True)
def run_job(context: TaskContext, job_id: str) -> str:
    return services.run(job_id, task_id=str(context.task_result.id))
