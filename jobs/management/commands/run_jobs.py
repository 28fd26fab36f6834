import socket

from django.core.management.base import CommandError
from django.db import connections, transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker
from django_tasks_db.models import DBTaskResult

from jobs.models import Job


def hold_worker_id(worker_id):
    """A database connection of its own that holds `worker_id` for the life of this process,
    or None when another running worker holds it."""
    holder = connections.create_connection("default")  # not closed by the worker's loop
    with holder.cursor() as cursor:
        # Raw SQL: a session-level advisory lock is what marks a worker id as taken; it goes
        # with the connection when the process ends, however it ends.
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [worker_id])
        if cursor.fetchone()[0]:
            return holder
    holder.close()
    return None


def requeue_interrupted(worker_id):
    """Put back in the queue the tasks (and their jobs) that a worker of this id was running
    when it stopped without finishing them (killed, or the machine went down). Called with the
    id held (hold_worker_id), so no live worker is running them."""
    with transaction.atomic():
        running = DBTaskResult.objects.select_for_update().filter(status=TaskResultStatus.RUNNING)
        ids = [str(pk) for pk, workers in running.values_list("id", "worker_ids")
               if workers and workers[-1] == worker_id]  # its last claim was this worker's
        DBTaskResult.objects.filter(id__in=ids).update(status=TaskResultStatus.READY,
                                                       started_at=None)
        Job.objects.filter(task_id__in=ids).update(status=Job.Status.QUEUED, stage="",
                                                   fraction_done=0)
    return len(ids)


class Command(DatabaseWorker):
    help = ("Run the queued imports and analyses (background jobs). A worker keeps its id "
            "across restarts (default: gisplan@host name), so that what it was running when it "
            "was stopped is queued again; two workers at once need two ids. SIGTERM lets the "
            "running job finish first.")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(worker_id=f"gisplan@{socket.gethostname()}"[:64], reload=False)

    def handle(self, *args, worker_id, **options):
        self.holder = hold_worker_id(worker_id)
        if self.holder is None:
            raise CommandError(f"a worker with the id {worker_id} is already running; give this "
                               f"one another --worker-id")
        again = requeue_interrupted(worker_id)
        if again:
            self.stdout.write(f"{again} interrupted job(s) queued again")
        try:
            super().handle(*args, worker_id=worker_id, **options)
        finally:
            self.holder.close()
