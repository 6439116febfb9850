/* search-coord: the server's English messages (field errors, refusals) in the page's language. The server words its
   errors in English for logs and API clients; a page in Chinese shows them through this table: each pattern names
   an i18n key ("srv.*") and the parts of the message that go into it. A message no pattern knows stays as it is. */
import { hasKey, lang, t } from "./i18n.js";

/** [pattern, key, names of the captured parts]: the commonest messages first. */
const PATTERNS = [
  [/^is required$/, "srv.required"],
  [/^must be text$/, "srv.must_text"],
  [/^must be at most (\d+) characters$/, "srv.max_chars", ["n"]],
  [/^must be one of: (.+)$/, "srv.one_of", ["options"]],
  [/^must be a list of: (.+)$/, "srv.list_of", ["options"]],
  [/^must be a whole number$/, "srv.whole_number"],
  [/^must be a (finite )?number$/, "srv.number"],
  [/^must be between (\S+) and (\S+)$/, "srv.between", ["lo", "hi"]],
  [/^must be an id$/, "srv.id"],
  [/^must be an ISO 8601 time/, "srv.time"],
  [/^must be after the start$/, "srv.after_start"],
  [/^the search is closed$/, "srv.search_closed"],
  [/^the search is already (\w+)$/, "srv.search_already", ["status"]],
  [/^you are not on this search$/, "srv.not_on_search"],
  [/^(.+) is already on this search$/, "srv.already_member", ["name"]],
  [/^nothing to change$/, "srv.nothing_to_change"],
  [/^is not a team of this search$/, "srv.not_a_team"],
  [/^only a dispatcher may (.+)$/, "srv.only_dispatcher"],
  [/^(\w+) (\d+) not found/, "srv.not_found"],
  [/^the assignment is (\w+) and can no longer be edited$/, "srv.assignment_ended", ["status"]],
  [/^the join link (.+)$/, "srv.join_link"],
];

/** The server's message ``msg`` in the page's language (English pages: unchanged). */
export function serverText(msg) {
  if (typeof msg !== "string" || lang === "en") return msg;
  for (const [re, key, names] of PATTERNS) {
    const m = re.exec(msg.trim());
    if (!m || !hasKey(key)) continue;
    const values = {};
    (names || []).forEach((n, i) => { values[n] = m[i + 1]; });
    if (values.status) values.status = hasKey("sstatus." + values.status) ? t("sstatus." + values.status)
      : hasKey("astatus." + values.status) ? t("astatus." + values.status) : values.status;
    return t(key, values);
  }
  return msg;
}
