from django.urls import path

from voronka.web.clients import views

app_name = "clients"
urlpatterns = [
    path("contacts/", views.contact_list, name="contacts"),
    path("contacts/<int:pk>/", views.contact_card, name="contact"),
    path("companies/", views.company_list, name="companies"),
    path("companies/<int:pk>/", views.company_card, name="company"),
]
