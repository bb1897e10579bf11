import { useCallback, useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { api, unwrap } from "../../api/client";
import { ErrorSummary, type FormError } from "../../components/ErrorSummary";
import { SelectField, TextArea, TextField } from "../../components/Field";
import { errorFor, formErrorsOf } from "../../components/formErrors";
import { useI18n } from "../../i18n/I18n";
import { LocationPicker, type Point } from "./LocationPicker";

const CATEGORIES = ["road", "pavement", "lighting", "waste", "graffiti", "green_space", "water", "noise", "traffic", "vandalism", "other"] as const;
type Category = (typeof CATEGORIES)[number];
const FIELDS = {
  category: "incident-category", text: "incident-text", location: "incident-location",
  "location.latitude": "incident-location", "location.longitude": "incident-location",
  "location.description": "incident-place",
};

export default function ReportIncident() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [category, setCategory] = useState<Category>("road");
  const [text, setText] = useState("");
  const [place, setPlace] = useState("");
  const [point, setPoint] = useState<Point | null>(null);
  const [errors, setErrors] = useState<FormError[]>([]);
  const choosePoint = useCallback((next: Point) => setPoint(next), []);
  const report = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST("/api/v1/incidents", {
        body: {
          category, text: text.trim(),
          location: { latitude: point!.latitude, longitude: point!.longitude, ...(place.trim() ? { description: place.trim() } : {}) },
        },
      })) as { id: string },
    onSuccess: (created) => {
      queryClient.invalidateQueries({ queryKey: ["incidents"] });
      navigate(`/incidents/${created.id}`);
    },
    onError: (error) => setErrors(formErrorsOf(error, FIELDS, t("form.failed"))),
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const missing: FormError[] = [];
    if (!text.trim()) missing.push({ field: FIELDS.text, message: t("incident.textMissing") });
    if (!point) missing.push({ field: FIELDS.location, message: t("incident.pointMissing") });
    setErrors(missing);
    if (!missing.length) report.mutate();
  };
  return (
    <div className="panel">
      <h1>{t("incident.report")}</h1>
      <form onSubmit={onSubmit} noValidate>
        <ErrorSummary errors={errors} />
        <SelectField id={FIELDS.category} label={t("incident.category")} value={category} error={errorFor(errors, FIELDS.category)}
          onChange={(event) => setCategory(event.target.value as Category)}
          options={CATEGORIES.map((value) => [value, t(`incident.category.${value}` as "incident.category.road")])} />
        <TextArea id={FIELDS.text} label={t("incident.text")} hint={t("incident.textHint")} value={text} maxLength={4000}
          error={errorFor(errors, FIELDS.text)} onChange={(event) => setText(event.target.value)} />
        <LocationPicker value={point} onChange={choosePoint} error={errorFor(errors, FIELDS.location)} />
        <TextField id={FIELDS["location.description"]} label={t("incident.place")} hint={t("incident.placeHint")} value={place} maxLength={200}
          error={errorFor(errors, FIELDS["location.description"])} onChange={(event) => setPlace(event.target.value)} />
        <div className="actions">
          <button type="submit" disabled={report.isPending}>{t("incident.send")}</button>
        </div>
      </form>
    </div>
  );
}
