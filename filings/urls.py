from django.contrib.auth.decorators import login_required
from django.urls import path
from django.views.generic import RedirectView

from .views import (
    changes,
    downloads,
    excel,
    history,
    home,
    inbox,
    indicators,
    paste,
    paste_upload,
    pdf,
    projects,
    queues,
    review,
    unit_events,
    units,
    wizard,
)

app_name = "filings"

urlpatterns = [
    path("projects/", projects.project_list, name="projects"),
    path("queue/", queues.queue, name="queue"),
    path("overview/", queues.overview, name="overview"),
    path("export/", downloads.request_export, name="export"),
    path("units/events/", unit_events.unit_events, name="unit_events"),
    path("units/search/", units.unit_search, name="unit_search"),
    path("downloads/", downloads.job_list, name="downloads"),
    path("downloads/<int:pk>/", downloads.job_detail, name="download"),
    path("downloads/<int:pk>/file/", downloads.job_file, name="download_file"),
    path("batches/new/", downloads.request_batch, name="batch_new"),
    path("batches/", login_required(RedirectView.as_view(pattern_name="filings:downloads")),
         name="batches"),  # the old list's address
    path("<int:pk>/duplicate/", projects.duplicate, name="duplicate"),
    path("<int:pk>/delete/", projects.delete, name="delete"),
    path("<int:pk>/", wizard.tasks, name="tasks"),
    path("<int:pk>/step/<slug:key>/", wizard.step, name="step"),
    path("<int:pk>/check/", wizard.check, name="check"),
    path("<int:pk>/pdf/", pdf.download, name="pdf"),
    path("<int:pk>/xlsx/", excel.download, name="xlsx"),
    path("<int:pk>/import/", excel.upload, name="import_xlsx"),
    path("<int:pk>/import/<slug:token>/", excel.preview, name="import_xlsx_preview"),
    path("<int:pk>/submit/", wizard.submit, name="submit"),
    path("<int:pk>/review/", review.review, name="review"),
    path("<int:pk>/act/", review.act, name="act"),
    path("<int:pk>/comments/", review.add_comment, name="add_comment"),
    path("<int:pk>/changes/", changes.changes, name="changes"),
    path("<int:pk>/history/", history.history, name="history"),
    path("<int:pk>/comments/<int:comment_pk>/delete/", review.delete_comment, name="delete_comment"),
    path("<int:pk>/copy/", home.copy, name="copy"),
    path("<int:pk>/suggestions/", indicators.suggestions, name="suggestions"),
    path("<int:pk>/paste/", paste.preview, name="paste_preview"),
    path("<int:pk>/paste/upload/", paste_upload.upload, name="paste_upload"),
    path("import/", excel.upload_new, name="import_new"),
    path("import/<slug:token>/", excel.preview_new, name="import_new_preview"),
    path("reading/", indicators.reading, name="reading"),
    path("notifications/", inbox.inbox, name="notifications"),
    path("notifications/read/", inbox.mark_read, name="notifications_read"),
]
