import { Link } from "react-router";
import type { MessageKey } from "../../i18n/en";
import { useI18n } from "../../i18n/I18n";
import type { Post } from "./types";

export function categoryLabel(t: (key: MessageKey) => string, category?: string) {
  return category ? t(`category.${category}` as MessageKey) : "";
}

/** One post in the feed: a card with its category chip, title (the link to the post), author,
 * date and counts. Text is rendered as text, never as HTML. */
export function PostCard({ post }: { post: Post }) {
  const { t, formatDate, formatNumber } = useI18n();
  const headingId = `post-${post.id}-title`;
  return (
    <article className={post.urgent ? "card card--urgent" : "card"} aria-labelledby={headingId}>
      <p className="chip">{categoryLabel(t, post.category)}</p>
      <h2 id={headingId} className="card-title">
        <Link to={`/posts/${post.id}`}>{post.title}</Link>
      </h2>
      <p className="meta">
        {t("post.by", { name: post.author?.name ?? "" })}
        {post.author?.city ? ` · ${t("post.city")}` : ""} ·{" "}
        <time dateTime={post.published_at ?? post.created_at}>{formatDate(post.published_at ?? post.created_at)}</time>
      </p>
      <p className="card-body">{post.body}</p>
      <p className="meta">
        {t("post.thanksCount", { count: formatNumber(post.reactions?.thanks ?? 0) })} ·{" "}
        {t("post.comments", { count: formatNumber(post.comment_count ?? 0) })}
      </p>
    </article>
  );
}
