// The editor's texts in Vietnamese and English (`tr`), beside the page's own (i18n.js), and the
// name of a kind of thing in the page's language.
import { t } from "./i18n.js";
import { state } from "./state.js";

const TEXT = {
  vi: {
    signIn: "Đăng nhập", token: "Mã truy cập (token)", signOut: "Đăng xuất", signedInAs: (n, r) => `Đã đăng nhập: ${n} (${r})`,
    signedOut: "Đã đăng xuất.", badToken: (m) => `Không đăng nhập được: ${m}`, editing: "Chỉnh sửa",
    edit: "Sửa", save: "Lưu", del: "Xoá", cancel: "Huỷ", history: "Lịch sử", close: "Đóng", add: "Thêm",
    remove: "Bỏ", create: (k) => `Thêm ${k.toLowerCase()}`, editTitle: (k, n) => `Sửa ${k.toLowerCase()}: ${n}`,
    newTitle: (k) => `${k} mới`, vi: "Tiếng Việt", en: "Tiếng Anh", keysHint: "khoá, cách nhau bằng dấu phẩy",
    linesHint: "mỗi dòng một tên", saved: (k, n) => `Đã lưu ${k.toLowerCase()} ${n}.`, deleted: (n) => `Đã xoá ${n}.`,
    notSaved: "Chưa lưu:", confirmDelete: "Xác nhận xoá", deleteTitle: (n) => `Xoá ${n}?`,
    willRemove: "Sẽ bị xoá", willUnlink: "Chỉ mất liên kết", conflictTitle: "Đã có người sửa trong lúc bạn sửa",
    conflictText: (v) => `Bản hiện tại là phiên bản ${v}. Dưới đây là những chỗ khác nhau: giá trị hiện tại bên cạnh giá trị của bạn.`,
    field: "Trường", theirs: "Hiện tại", yours: "Của bạn", reapply: "Áp dụng lại thay đổi của tôi", discard: "Bỏ thay đổi của tôi",
    lastChanged: (who, when) => `Sửa lần cuối: ${who}, ${when}`, noChanges: "Chưa có thay đổi nào được ghi lại.",
    historyTitle: (n) => `Lịch sử: ${n}`, before: "Trước", after: "Sau", links: "Liên kết", working: "Đang xử lý…",
    other: "Các nội dung khác", conflictOther: "Xung đột:",
    unanswered: "Câu hỏi chưa trả lời được", askAgain: "Hỏi lại", askedTimes: (n) => `${n} lần`,
    unsure: "trả lời chưa chắc", noUnanswered: "Chưa có câu hỏi nào bị bỏ qua.",
    unansweredHint: "Những câu hỏi mà “Hỏi” không trả lời được (hoặc trả lời chưa chắc), hỏi nhiều nhất trước: thêm tên gọi và bí danh người dùng vào dữ liệu gốc.",
    verify: "Xác nhận còn đúng", verifiedNow: (n) => `Đã ghi nhận: ${n} vẫn đúng.`,
    fields: { key: "Khoá", name: "Tên", aliases: "Tên khác", kind: "Loại", provider: "Bên cung cấp", receiver: "Bên nhận",
      text: "Nội dung", purpose: "Mục đích", statement: "Câu gốc", topics: "Chủ đề", concerns: "Liên quan đến",
      department: "Phòng ban", duties: "Nhiệm vụ", actor: "Người thực hiện", action: "Hành động", recipient: "Người nhận",
      steps: "Các bước", title: "Tiêu đề", departments: "Hai phòng ban", summary: "Tóm tắt", goals: "Mục tiêu chung",
      roles: "Vai trò", activities: "Hoạt động", section: "Phần", about: "Nói về", owner: "Phụ trách",
      contact: "Người liên hệ" },
    items: { goals: "Mục tiêu", roles: "Vai trò", activities: "Hoạt động", duties: "Nhiệm vụ", steps: "Bước" },
  },
  en: {
    signIn: "Sign in", token: "Token", signOut: "Sign out", signedInAs: (n, r) => `Signed in as ${n} (${r})`,
    signedOut: "Signed out.", badToken: (m) => `Could not sign in: ${m}`, editing: "Editing",
    edit: "Edit", save: "Save", del: "Delete", cancel: "Cancel", history: "History", close: "Close", add: "Add",
    remove: "Remove", create: (k) => `New ${k.toLowerCase()}`, editTitle: (k, n) => `Edit ${k.toLowerCase()}: ${n}`,
    newTitle: (k) => `New ${k.toLowerCase()}`, vi: "Vietnamese", en: "English", keysHint: "keys, comma-separated",
    linesHint: "one name a line", saved: (k, n) => `Saved ${k.toLowerCase()} ${n}.`, deleted: (n) => `Deleted ${n}.`,
    notSaved: "Not saved:", confirmDelete: "Confirm delete", deleteTitle: (n) => `Delete ${n}?`,
    willRemove: "Will be removed", willUnlink: "Will only lose a link", conflictTitle: "Someone changed it while you were editing",
    conflictText: (v) => `It is now at version ${v}. Below is what differs: the current values beside yours.`,
    field: "Field", theirs: "Now", yours: "Yours", reapply: "Reapply my changes", discard: "Discard my changes",
    lastChanged: (who, when) => `Last changed by ${who}, ${when}`, noChanges: "No changes recorded.",
    historyTitle: (n) => `History: ${n}`, before: "Before", after: "After", links: "Links", working: "Working…",
    other: "Other knowledge", conflictOther: "Conflict:",
    unanswered: "Questions nobody could answer", askAgain: "Ask again", askedTimes: (n) => (n === 1 ? "once" : `${n} times`),
    unsure: "answered unsurely", noUnanswered: "No question has been declined yet.",
    unansweredHint: "What Ask could not answer (or answered unsurely), the most asked first: add the names and aliases people use to the seed files.",
    verify: "Verify", verifiedNow: (n) => `Recorded: ${n} still holds.`,
    fields: { key: "Key", name: "Name", aliases: "Aliases", kind: "Kind", provider: "Provider", receiver: "Receiver",
      text: "Text", purpose: "Purpose", statement: "Statement", topics: "Topics", concerns: "Concerns",
      department: "Department", duties: "Duties", actor: "Actor", action: "Action", recipient: "Recipient",
      steps: "Steps", title: "Title", departments: "Departments", summary: "Summary", goals: "Goals",
      roles: "Roles", activities: "Activities", section: "Section", about: "About", owner: "Owner",
      contact: "Contact" },
    items: { goals: "Goal", roles: "Role", activities: "Activity", duties: "Duty", steps: "Step" },
  },
};
export const tr = (name, ...args) => {
  const value = TEXT[state.lang][name];
  return typeof value === "function" ? value(...args) : value;
};
export const kindName = (kind) => (t("kinds") || {})[kind] || kind;
