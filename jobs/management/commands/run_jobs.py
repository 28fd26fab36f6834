import socket

from django.db import transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker
from django_tasks_db.models import DBTaskResult

from jobs.models import Job


def requeue_interrupted(worker_id):
    """Put back in the queue the tasks (and their jobs) that a worker of this id was running
    when it stopped without finishing them (killed, or the machine went down): a worker that is
    starting runs nothing yet, so they cannot still be running."""
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
            "was stopped is queued again. SIGTERM lets the running job finish first.")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(worker_id=f"gisplan@{socket.gethostname()}"[:64], reload=False)

    def handle(self, *args, worker_id, **options):
        again = requeue_interrupted(worker_id)
        if again:
            self.stdout.write(f"{again} interrupted job(s) queued again")
        super().handle(*args, worker_id=worker_id, **options)
