from django.urls import path

from .views import home, indicators, projects, wizard

app_name = "filings"

urlpatterns = [
    path("projects/", projects.project_list, name="projects"),
    path("<int:pk>/duplicate/", projects.duplicate, name="duplicate"),
    path("<int:pk>/delete/", projects.delete, name="delete"),
    path("<int:pk>/", wizard.tasks, name="tasks"),
    path("<int:pk>/step/<slug:key>/", wizard.step, name="step"),
    path("<int:pk>/check/", wizard.check, name="check"),
    path("<int:pk>/submit/", wizard.submit, name="submit"),
    path("<int:pk>/copy/", home.copy, name="copy"),
    path("<int:pk>/suggestions/", indicators.suggestions, name="suggestions"),
    path("reading/", indicators.reading, name="reading"),
]
