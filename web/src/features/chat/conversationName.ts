// Pure: what a conversation is called in the list and on its page — a group by its title, a
// direct conversation by the other person.

type Person = { id?: string; name?: string };
type Conversation = { kind?: string; title?: string; members?: Person[] };

export function otherMembers(conversation: Conversation, myId: string | undefined): Person[] {
  return (conversation.members ?? []).filter((member) => member.id !== myId);
}

export function conversationName(conversation: Conversation, myId: string | undefined): string {
  if (conversation.kind === "group" && conversation.title) return conversation.title;
  return otherMembers(conversation, myId).map((member) => member.name ?? "").join(", ");
}

/** The API lists messages newest first; a chat reads oldest at the top, newest at the bottom. */
export function oldestFirst<T>(pages: { items?: T[] }[]): T[] {
  return pages.flatMap((page) => page.items ?? []).reverse();
}
