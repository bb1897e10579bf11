import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "react-router";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n/I18n";
import type { Post } from "./types";

/** What the author alone can do with their post: edit it, share it with the city or stop,
 * mark a help request solved, delete it (after a confirmation). */
export function PostOwner({ post }: { post: Post }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const path = { params: { path: { post_id: post.id! } } };
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["post", post.id] });

  const share = useMutation({
    mutationFn: async (shared: boolean) =>
      unwrap(shared ? await api.PUT("/api/v1/posts/{post_id}/share", path) : await api.DELETE("/api/v1/posts/{post_id}/share", path)),
    onSuccess: (answer) => {
      queryClient.setQueryData<Post>(["post", post.id], { ...post, shared_with_city: answer.shared_with_city });
      refresh();
    },
  });
  const solve = useMutation({
    mutationFn: async () => unwrap(await api.PATCH("/api/v1/posts/{post_id}", { ...path, body: { solved: true } })),
    onSuccess: (saved) => queryClient.setQueryData(["post", post.id], saved),
  });
  const remove = useMutation({
    mutationFn: async () => unwrap(await api.DELETE("/api/v1/posts/{post_id}", path)),
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: ["post", post.id] });
      await queryClient.invalidateQueries({ queryKey: ["feed"] });
      navigate("/feed");
    },
  });
  const failed = share.isError || solve.isError || remove.isError;

  return (
    <section aria-labelledby="post-owner-title" className="owner">
      <h2 id="post-owner-title">{t("postOwner.title")}</h2>
      <p role="status">{post.shared_with_city ? t("postOwner.shared") : t("postOwner.notShared")}</p>
      <div className="actions">
        <Link to={`/posts/${post.id}/edit`} className="button">{t("postEdit.edit")}</Link>
        <button type="button" className="secondary" disabled={share.isPending} onClick={() => share.mutate(!post.shared_with_city)}>
          {post.shared_with_city ? t("postOwner.unshare") : t("postOwner.share")}
        </button>
        {post.category === "help" && !post.solved && (
          <button type="button" className="secondary" disabled={solve.isPending} onClick={() => solve.mutate()}>
            {t("postOwner.solve")}
          </button>
        )}
        {!confirming && (
          <button type="button" className="warning" onClick={() => setConfirming(true)}>{t("postOwner.delete")}</button>
        )}
      </div>
      {confirming && (
        <div className="notice" role="group" aria-labelledby="confirm-delete">
          <p id="confirm-delete">{t("postOwner.confirmDelete")}</p>
          <div className="actions">
            <button type="button" className="warning" disabled={remove.isPending} onClick={() => remove.mutate()}>
              {t("postOwner.confirmDeleteYes")}
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>{t("postOwner.keep")}</button>
          </div>
        </div>
      )}
      {failed && <p role="alert" className="error-message">{t("postOwner.failed")}</p>}
    </section>
  );
}
