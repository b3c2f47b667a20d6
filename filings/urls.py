from django.urls import path

from .views import changes, excel, exports, home, inbox, indicators, paste, pdf, projects, queues, review, wizard

app_name = "filings"

urlpatterns = [
    path("projects/", projects.project_list, name="projects"),
    path("queue/", queues.queue, name="queue"),
    path("overview/", queues.overview, name="overview"),
    path("export/", exports.consolidated, name="export"),
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
    path("<int:pk>/comments/<int:comment_pk>/delete/", review.delete_comment, name="delete_comment"),
    path("<int:pk>/copy/", home.copy, name="copy"),
    path("<int:pk>/suggestions/", indicators.suggestions, name="suggestions"),
    path("<int:pk>/paste/", paste.preview, name="paste_preview"),
    path("import/", excel.upload_new, name="import_new"),
    path("import/<slug:token>/", excel.preview_new, name="import_new_preview"),
    path("reading/", indicators.reading, name="reading"),
    path("notifications/", inbox.inbox, name="notifications"),
    path("notifications/read/", inbox.mark_read, name="notifications_read"),
]
