import { useEffect, useRef, useState } from "react";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n/I18n";
import { PostCard, categoryLabel } from "../posts/PostCard";
import { CATEGORIES, type Category } from "../posts/types";
import { useNeighbourhoods } from "../neighbours/useNeighbourhoods";

const PAGE_SIZE = 20;

export default function FeedPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [category, setCategory] = useState<Category | "">("");
  const [neighbourhood, setNeighbourhood] = useState("");
  const neighbourhoods = useNeighbourhoods();
  // The feed reads the home and the followed neighbourhoods: those are the filter's choices.
  const readable = (neighbourhoods.data ?? []).filter((n) => n.home || n.following);

  // The city's urgent announcements sit above the feed whatever the filter.
  const urgent = useQuery({
    queryKey: ["feed", "urgent"],
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/feed", { params: { query: { category: "announcement", limit: 20 } } })),
    select: (page) => (page.items ?? []).filter((post) => post.urgent),
  });

  const feed = useInfiniteQuery({
    queryKey: ["feed", category, neighbourhood],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET("/api/v1/feed", {
          params: {
            query: {
              limit: PAGE_SIZE, cursor: pageParam, category: category || undefined,
              neighbourhood_id: neighbourhood || undefined,
            },
          },
        }),
      ),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });

  // Infinite scroll: the next page loads when the end of the list comes into view; the button
  // does the same for keyboards and screen readers.
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = sentinel.current;
    if (!element || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => {
      if (entries[0]?.isIntersecting && feed.hasNextPage && !feed.isFetchingNextPage) feed.fetchNextPage();
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [feed]);

  const urgentIds = new Set((urgent.data ?? []).map((post) => post.id));
  const posts = (feed.data?.pages ?? []).flatMap((page) => page.items ?? []).filter((post) => !urgentIds.has(post.id));

  return (
    <section aria-labelledby="feed-title" className="feed">
      <div className="feed-head">
        <h1 id="feed-title">{t("feed.title")}</h1>
        <button type="button" onClick={() => navigate("/posts/new")}>
          {t("feed.newPost")}
        </button>
      </div>
      <div className="field field--inline">
        <label htmlFor="category-filter">{t("feed.category")}</label>
        <select id="category-filter" value={category} onChange={(e) => setCategory(e.target.value as Category | "")}>
          <option value="">{t("feed.allCategories")}</option>
          {CATEGORIES.map((name) => (
            <option key={name} value={name}>
              {categoryLabel(t, name)}
            </option>
          ))}
        </select>
      </div>
      {readable.length > 1 && (
        <div className="field field--inline">
          <label htmlFor="neighbourhood-filter">{t("feed.neighbourhood")}</label>
          <select id="neighbourhood-filter" value={neighbourhood} onChange={(e) => setNeighbourhood(e.target.value)}>
            <option value="">{t("feed.allNeighbourhoods")}</option>
            {readable.map((n) => (
              <option key={n.id} value={n.id}>
                {n.name}
              </option>
            ))}
          </select>
        </div>
      )}
      {urgent.data && urgent.data.length > 0 && (
        <section aria-labelledby="urgent-title" className="urgent">
          <h2 id="urgent-title">{t("feed.urgent")}</h2>
          {urgent.data.map((post) => (
            <PostCard key={post.id} post={post} />
          ))}
        </section>
      )}
      {feed.isPending && <p role="status">{t("app.loading")}</p>}
      {feed.isError && <p role="alert">{t("form.unavailable")}</p>}
      {feed.isSuccess && posts.length === 0 && <p>{t("feed.empty")}</p>}
      <ul className="post-list">
        {posts.map((post) => (
          <li key={post.id}>
            <PostCard post={post} />
          </li>
        ))}
      </ul>
      <div ref={sentinel} />
      {feed.hasNextPage ? (
        <button type="button" className="secondary" onClick={() => feed.fetchNextPage()} disabled={feed.isFetchingNextPage}>
          {t("feed.more")}
        </button>
      ) : (
        feed.isSuccess && posts.length > 0 && <p className="meta">{t("feed.end")}</p>
      )}
    </section>
  );
}
