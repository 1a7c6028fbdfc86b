"""The native REST API under /api/v1/ (Django Ninja): thin handlers over services and selectors."""
