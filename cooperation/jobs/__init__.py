"""Background jobs: large CSV imports run by a worker process instead of inside a web request.

- ``models``: the job (what to import, progress, outcome) and its file, both in the database, so a job
  outlives the web process that took the upload and the worker that ran it.
- ``services``: start a job (store the file, queue a task) and run one (the import, all or nothing, with the
  outcome committed together with the rows).
- ``progress``: rows read so far and the worker's heartbeat, written apart from the import's transaction.
- ``recovery``: jobs whose worker died are queued again, or failed after ``JOB_MAX_ATTEMPTS`` runs.
- ``tasks``: the task the worker runs (Django's tasks framework, database backend).
"""
