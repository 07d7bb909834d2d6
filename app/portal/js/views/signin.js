import { signIn } from "../api.js";
import { checkForm, field, h, showProblem } from "../ui.js";

export async function render(el, _params, query) {
  const username = h("input", { name: "username", autocomplete: "username", required: true, minlength: 3, maxlength: 64 });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true, maxlength: 128 });
  const submit = h("button", { type: "submit", class: "btn btn-primary" }, "登录");
  const form = h(
    "form",
    { class: "card form signin", novalidate: true },
    query.get("expired") ? h("p", { class: "notice notice-warn" }, "登录已过期，请重新登录。") : null,
    field("用户名", username),
    field("密码", password),
    h("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!checkForm(form)) return;
    submit.disabled = true;
    submit.textContent = "正在登录…";
    try {
      await signIn(username.value.trim(), password.value);
      window.dispatchEvent(new Event("portal:account"));
      location.hash = "#/workbench";
    } catch (error) {
      showProblem(form, error);
    } finally {
      submit.disabled = false;
      submit.textContent = "登录";
    }
  });
  el.append(
    h("h1", {}, "登录"),
    h("p", { class: "lead" }, "部门、企业、职业院校和培训机构的用户登录后进入工作台。公开信息无需登录即可查看。"),
    form,
  );
}
