// The posts area's own English messages (editing and the author's actions); the shared catalogues
// keep the keys the feed and the post page already used. The other catalogues here have the same
// keys (the type check enforces it).
const en = {
  "postEdit.title": "Edit your post",
  "postEdit.edit": "Edit",
  "postEdit.save": "Save changes",
  "postEdit.cancel": "Back to the post",
  "postEdit.refused": "Your changes were not saved: {reason}",
  "postEdit.pending": "Pending review: a moderator checks this post before your neighbours see it again.",
  "postOwner.title": "Your post",
  "postOwner.shared": "The city can read this post.",
  "postOwner.notShared": "Only your neighbours can read this post.",
  "postOwner.share": "Share with the city",
  "postOwner.unshare": "Stop sharing with the city",
  "postOwner.solve": "Mark as solved",
  "postOwner.solved": "Solved",
  "postOwner.delete": "Delete post",
  "postOwner.confirmDelete": "Delete this post with its comments and thanks? This cannot be undone.",
  "postOwner.confirmDeleteYes": "Yes, delete it",
  "postOwner.keep": "Keep it",
  "postOwner.failed": "That did not work. Try again in a moment.",
};

export type PostsKey = keyof typeof en;
export type PostsMessages = Record<PostsKey, string>;
export default en satisfies PostsMessages;
