import { useI18n } from "../../i18n/I18n";
import { useHomeMembers } from "./useHomeMembers";

/** Checkboxes of my neighbours, for a new group or to add to one. */
export function MemberPicker({ id, chosen, onChange, exclude = [], error }: {
  id: string; chosen: string[]; onChange: (ids: string[]) => void; exclude?: string[]; error?: string;
}) {
  const { t } = useI18n();
  const members = useHomeMembers();
  const available = (members.data ?? []).filter((member) => !exclude.includes(member.user_id!));
  return (
    <fieldset id={id} className={error ? "field field--error" : "field"} aria-describedby={`${id}-hint`}>
      <legend>{t("chat.group.members")}</legend>
      <p className="hint" id={`${id}-hint`}>{t("chat.group.members.hint")}</p>
      {error && <p className="error-message">{error}</p>}
      {available.map((member) => (
        <label key={member.user_id} className="radio">
          <input type="checkbox" checked={chosen.includes(member.user_id!)}
            onChange={() => onChange(chosen.includes(member.user_id!) ? chosen.filter((x) => x !== member.user_id) : [...chosen, member.user_id!])} />
          {member.first_name} · {member.street}
        </label>
      ))}
    </fieldset>
  );
}
