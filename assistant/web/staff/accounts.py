"""Staff accounts in the console: the list for everyone signed in, changes for admins.

* ``GET /staff/api/staff`` — every account: role, active, created, last sign-in.
* ``POST /staff/api/staff`` ``{"username": "guide2", "password": "…", "role": "guide"}`` (admin) — 201.
* ``POST /staff/api/staff/{username}`` ``{"role": "admin" | "guide", "active": false, "password": "…"}`` (admin) —
  a new password or deactivation ends the account's sessions; an admin cannot deactivate or demote themself.
"""
from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from assistant.store.accounts import AccountError
from assistant.web.staff.deps import AdminStaff, Console, StaffError, staff_api
from assistant.web.staff.out import user_out


class NewStaff(BaseModel):
    username: str = Field(min_length=2, max_length=32)
    password: str = Field(min_length=1, max_length=200)
    role: Literal["guide", "admin"] = "guide"


class StaffUpdate(BaseModel):
    password: str | None = Field(None, max_length=200)
    role: Literal["guide", "admin"] | None = None
    active: bool | None = None


def router(console: Console) -> APIRouter:
    api = staff_api()
    accounts, local = console.accounts, console.local

    @api.get("/staff", summary="工作人员列表")
    def staff_list():
        return {"staff": [user_out(local, u) for u in accounts.all()]}

    @api.post("/staff", status_code=201, summary="新增工作人员（管理员）")
    def staff_add(body: NewStaff, _: AdminStaff):
        try:
            return user_out(local, accounts.add(body.username, body.password, body.role))
        except AccountError as e:
            raise StaffError(422, "invalid_request", str(e)) from None

    @api.post("/staff/{username}", summary="修改工作人员：角色、停用、重置密码（管理员）")
    def staff_update(username: str, body: StaffUpdate, me_: AdminStaff):
        if username == me_.username and (body.active is False or body.role == "guide"):
            raise StaffError(422, "invalid_request", "不能停用自己或取消自己的管理员权限")
        try:
            return user_out(local, accounts.update(username, body.password, body.role, body.active))
        except AccountError as e:
            raise StaffError(404 if "没有用户" in str(e) else 422, "invalid_request", str(e)) from None

    return api
