from django.urls import path

from . import anonymous_views, public_views, receipt_views, views, virtual_reception_views

app_name = "dialogue"
urlpatterns = [
    path("public/", public_views.public_list, name="public"),
    path("new/", views.new_appeal, name="new"),
    path("virtual-reception/", virtual_reception_views.virtual_reception, name="virtual-reception"),
    path("report-anonymously/", anonymous_views.report_anonymously, name="report-anonymously"),
    path("anonymous/status/<str:reference>/", anonymous_views.anonymous_status, name="anonymous-status"),
    path("anonymous/", anonymous_views.anonymous_queue, name="anonymous-queue"),
    path("anonymous/<int:pk>/decide/", anonymous_views.anonymous_decide, name="anonymous-decide"),
    path("mine/", views.my_appeals, name="mine"),
    path("inbox/", views.inbox, name="inbox"),
    path("overdue/", views.overdue, name="overdue"),
    path("<int:pk>/", views.appeal_detail, name="detail"),
    path("notifications/", views.staff_notifications, name="notifications"),
    path("<int:pk>/receipt/", receipt_views.receipt_page, name="receipt"),
    path("<int:pk>/receipt.pdf", receipt_views.receipt_pdf, name="receipt-pdf"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("<int:pk>/<slug:action>/", views.appeal_action, name="action"),
]
