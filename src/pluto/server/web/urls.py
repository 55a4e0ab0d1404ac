from django.urls import path

from pluto.server.web import (
    downloads,
    experiment_page,
    file_links,
    frames,
    plot_page,
    project_page,
    projects,
    python_sdk,
    sdk,
    vendor,
    views,
)

EXPERIMENT = "experiments/<str:experiment_id>/"

urlpatterns = [
    path("", views.home, name="home"),
    path("files/signed/<str:token>/", downloads.signed_download, name="signed_download"),
    path("sdk/pluto.R/", sdk.r_client, name="r_client"),  # served with and without the slash
    path("sdk/python/simple/", python_sdk.simple_index, name="python_index"),
    path("sdk/python/simple/<str:project>/", python_sdk.simple_project, name="python_project"),
    path("sdk/python/<str:filename>/", python_sdk.wheel_file, name="python_wheel"),
    path("assets/plotly-<str:release>.min.js", vendor.plotly_js, name="plotly_js"),
    path("projects/", projects.project_list, name="project_list"),
    path("projects/<str:project_id>/", project_page.project_page, name="project_page"),
    path(EXPERIMENT, experiment_page.experiment_page, name="experiment_page"),
    path(
        EXPERIMENT + "files/<str:file_id>/download/",
        file_links.file_download,
        name="file_download",
    ),
    path(EXPERIMENT + "plots/<str:plot_id>/", plot_page.plot_page, name="plot_page"),
    path(
        EXPERIMENT + "plots/<str:plot_id>/results.<str:fmt>",
        plot_page.plot_results_download,
        name="plot_results_download",
    ),
    path("plots/frame/<str:token>/", frames.plot_frame, name="plot_frame"),
]
