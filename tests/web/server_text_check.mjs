// Runs static/js/lib/server_text.js's serverText under Node on a page in Chinese (for tests/web/test_server_text.py):
// argv[2] the project's root; stdin a JSON list of the server's messages (or [message, field]); stdout the list as the page shows them.
import { readFileSync } from "node:fs";
import { register } from "node:module";
import { pathToFileURL } from "node:url";

const root = process.argv[2];
// The front end's .js files are ES modules served to browsers (the project's package.json names no "type").
register("data:text/javascript," + encodeURIComponent(`
  export async function load(url, context, next) {
    if (url.includes("/static/js/")) return { ...(await next(url, { ...context, format: "module" })), format: "module" };
    return next(url, context);
  }`));
const zh = readFileSync(`${root}/search_coord/i18n/zh-CN.json`, "utf8");
globalThis.document = {
  documentElement: { lang: "zh-CN" },
  getElementById: (id) => (id === "sc-i18n" ? { textContent: zh } : null),
};
const { fieldLabel, serverText } = await import(pathToFileURL(`${root}/static/js/lib/server_text.js`).href);
const messages = JSON.parse(readFileSync(0, "utf8"));
// an item is a message, [message, the field it is about], or {field}: the field's name as the page shows it
const show = (m) => (Array.isArray(m) ? serverText(m[0], m[1]) : m && m.field ? fieldLabel(m.field) : serverText(m));
process.stdout.write(JSON.stringify(messages.map(show)));
