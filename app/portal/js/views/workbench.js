// The signed-in user's workbench: what its organisation does on the platform.
import { session } from "../api.js";
import { h, label } from "../ui.js";

export async function render(el) {
  const me = session.me;
  if (!me) {
    location.hash = "#/signin";
    return;
  }
  const org = me.organization;
  const kind = me.is_platform_admin && !org ? "department" : org.org_type === "government" ? "department" : org.org_type;
  el.append(
    h("h1", {}, "工作台"),
    h("p", { class: "lead" }, org ? `${org.name} · ${org.department ? label("department", org.department) : label("orgType", org.org_type)}` : "平台管理员", org && org.status !== "approved" ? h("span", { class: "badge badge-pending" }, "待审核：审核通过前只能查看，不能提交") : null),
  );
  const views = { college: "college", enterprise: "enterprise", department: "department", training_institution: null };
  if (!views[kind]) {
    el.append(h("p", { class: "state state-empty" }, "培训机构可在社会服务项目栏目查看已发布项目；项目的申报请使用平台接口。"));
    return;
  }
  const module = await import(`./${views[kind]}.js`);
  await module.render(el, me);
}
