from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from samarbejde.api import action_plan_views, custody_event_views, notification_views, views

app_name = "api"
urlpatterns = [
    path("municipalities/", views.MunicipalityListView.as_view(), name="municipality_list"),
    path("municipalities/<str:code>/", views.MunicipalityDetailView.as_view(), name="municipality_detail"),
    path("notifications/", notification_views.NotificationListView.as_view(), name="notification_list"),
    path("notifications/<str:pk>/", notification_views.NotificationDetailView.as_view(), name="notification_detail"),
    path(
        "notifications/<str:pk>/acknowledge/",
        notification_views.NotificationAcknowledgeView.as_view(),
        name="notification_acknowledge",
    ),
    path(
        "notifications/<str:pk>/answers/",
        notification_views.NotificationAnswerView.as_view(),
        name="notification_answer",
    ),
    path("action-plans/<str:pk>/", action_plan_views.ActionPlanDetailView.as_view(), name="action_plan_detail"),
    path("custody-events/", custody_event_views.CustodyEventView.as_view(), name="custody_event_create"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views.docs, name="docs"),
]
