// The portal: a hash router over one module per view, on the public API alone.
import { restore, session, signOut } from "./api.js";
import { disposeCharts, errorBox, h, loading, mount } from "./ui.js";

const ROUTES = [
  [/^\/$/, "home"],
  [/^\/feeds\/([a-z-]+)$/, "feeds", "list"],
  [/^\/feeds\/([a-z-]+)\/(\d+)$/, "feeds", "item"],
  [/^\/publications$/, "publications", "list"],
  [/^\/publications\/(\d+)$/, "publications", "item"],
  [/^\/distribution$/, "distribution"],
  [/^\/supply-demand$/, "gap"],
  [/^\/signin$/, "signin"],
  [/^\/workbench$/, "workbench"],
];

const view = document.getElementById("view");
let rendering = 0;
let routed = false; // the first view keeps the focus where the browser put it

function readable(hash) {
  try {
    return decodeURIComponent(hash.replace(/\+/g, " "));
  } catch {
    return hash;
  }
}

function parse() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, query = ""] = raw.split("?");
  return { path, query: new URLSearchParams(query) };
}

async function route() {
  const { path, query } = parse();
  const turn = ++rendering;
  disposeCharts();
  document.querySelectorAll("#nav-list a").forEach((a) => {
    const target = a.getAttribute("href").slice(1);
    const current = target === "/" ? path === "/" : path.startsWith(target);
    if (current) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  });
  closeNav();
  const match = ROUTES.map(([re, name, fn]) => [re.exec(path), name, fn]).find(([m]) => m);
  if (!match) {
    mount(view, h("h1", {}, "页面不存在"), h("p", {}, h("a", { href: "#/" }, "返回首页")));
    return;
  }
  const [m, name, fn] = match;
  mount(view, loading());
  try {
    const module = await import(`./views/${name}.js`);
    if (turn !== rendering) return;
    const container = h("div", { class: "view" });
    await module[fn || "render"](container, m.slice(1), query);
    if (turn !== rendering) return;
    mount(view, container);
    const title = container.querySelector("h1");
    document.title = `${title ? `${title.textContent} · ` : ""}威海市校企合作信息服务平台`;
    window.scrollTo(0, 0);
    if (title && routed) {
      title.tabIndex = -1; // a screen reader hears the new page's heading
      title.focus({ preventScroll: true });
    }
    routed = true;
  } catch (error) {
    if (turn === rendering) mount(view, errorBox(error));
  }
  if (turn === rendering) document.body.dataset.ready = readable(location.hash || "#/"); // drawn
}

function renderAccount() {
  const box = document.getElementById("account");
  const me = session.me;
  document.getElementById("nav-workbench").hidden = !me;
  if (!me) {
    mount(box, h("a", { class: "btn btn-light", href: "#/signin" }, "登录"));
    return;
  }
  const org = me.organization ? me.organization.name : "平台管理员";
  const who = me.user ? me.user.display_name || me.user.username : "API 密钥";
  mount(
    box,
    h("span", { class: "who" }, h("strong", {}, org), h("small", {}, who)),
    h("button", { type: "button", class: "btn btn-light", onclick: () => { signOut(); renderAccount(); location.hash = "#/"; } }, "退出"),
  );
}

const toggle = document.querySelector(".nav-toggle");
function closeNav() {
  toggle.setAttribute("aria-expanded", "false");
  document.getElementById("nav-list").classList.remove("open");
}
toggle.addEventListener("click", () => {
  const open = toggle.getAttribute("aria-expanded") !== "true";
  toggle.setAttribute("aria-expanded", String(open));
  document.getElementById("nav-list").classList.toggle("open", open);
});

window.addEventListener("portal:account", renderAccount);
window.addEventListener("portal:signed-out", () => {
  renderAccount();
  if (parse().path === "/workbench") location.hash = "#/signin?expired=1";
});
window.addEventListener("hashchange", route);

await restore();
renderAccount();
route();
