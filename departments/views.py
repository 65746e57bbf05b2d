from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from . import permissions as perms
from . import security, selectors
from .accounts import must_change_password
from .middleware import SESSION_MUST_CHANGE

PAGE_SIZE = 50


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """我的待办: for now the user's roles and the departments and units in scope."""
    departments = Paginator(selectors.department_list(request.user), PAGE_SIZE)
    units = Paginator(selectors.unit_list(request.user), PAGE_SIZE)
    context = {
        "roles": selectors.membership_summary(request.user),
        "departments": departments.get_page(request.GET.get("dpage")),
        "units": units.get_page(request.GET.get("upage")),
    }
    context["can_manage"] = perms.can_administer(request.user) or perms.manageable_units(request.user).exists()
    return render(request, "departments/home.html", context)


@login_required
def department_detail(request: HttpRequest, code: str) -> HttpResponse:
    department = selectors.department_detail(request.user, code)
    units = selectors.department_units(request.user, department)
    # who granted which role or 代理, and when: for the people who manage them
    manages = perms.can_administer(request.user) or perms.can_coordinate(request.user, department)
    return render(request, "departments/department_detail.html", {
        "department": department, "units": units,
        "history": selectors.audit_history(department) if manages else None,
    })


class LoginView(security.LoginView):
    """The throttled login; remembers in the session that a password set by someone else must be changed."""

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        if must_change_password(form.get_user()):
            self.request.session[SESSION_MUST_CHANGE] = True
            return redirect("password_change")
        return response


class LogoutView(auth_views.LogoutView):
    """退出, then the login page says so (the message outlives the session that is flushed)."""

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        was_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_in:
            messages.success(request, "您已安全退出。再次使用请重新登录。")
        return response
