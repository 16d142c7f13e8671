/* 导办工作台 — view #staff (工作人员): the staff accounts with role, state and last sign-in; an admin can
 * disable or enable another account and add one (a guide sees the list only). */
import { api } from "/web/staff/api.js";
import { el, clear, view, loading, fail, select, card, simpleTable, toast, toastError } from "/web/staff/dom.js";
import { fmtTime } from "/web/staff/format.js";
import { signedIn, isAdmin } from "/web/staff/session.js";

const ROLE = { guide: "导办员", admin: "管理员" };

function toggleButton(u) {
  const me = signedIn();
  if (!isAdmin() || u.username === me.username) return "";
  return el("button", { type: "button", className: "btn small", text: u.active ? "停用" : "启用", onclick: () => {
    api("/staff/" + encodeURIComponent(u.username), { method: "POST", body: { active: !u.active } })
      .then(() => viewStaff()).catch(toastError);
  } });
}

function addForm() {
  const name = el("input", { type: "text", placeholder: "用户名", maxlength: "32", required: true });
  const pw = el("input", { type: "password", placeholder: "初始密码（至少 8 位）", maxlength: "200", required: true, autocomplete: "new-password" });
  const role = select("new-role", [["guide", "导办员"], ["admin", "管理员"]], "guide", "角色");
  const form = el("form", { className: "filters inline" }, [name, pw, role, el("button", { type: "submit", className: "btn primary", text: "新增" })]);
  form.onsubmit = (e) => {
    e.preventDefault();
    api("/staff", { method: "POST", body: { username: name.value, password: pw.value, role: role.value } })
      .then(() => { toast("已新增 " + name.value); viewStaff(); }).catch(toastError);
  };
  return card("新增工作人员", [form]);
}

export function viewStaff() {
  loading("工作人员");
  api("/staff").then((b) => {
    const v = clear(view());
    v.appendChild(el("h2", { text: "工作人员" }));
    v.appendChild(simpleTable(["用户名", "角色", "状态", "创建", "最近登录", ""], b.staff.map((u) =>
      [u.username, ROLE[u.role] || u.role, u.active ? "启用" : "停用", fmtTime(u.created_at), fmtTime(u.last_login), toggleButton(u)])));
    if (!isAdmin()) {
      v.appendChild(el("p", { className: "muted", text: "新增或停用账号需要管理员权限。" }));
      return;
    }
    v.appendChild(addForm());
  }).catch(fail);
}
