import { describe, expect, it } from "vitest";
import { eventBody, fieldOfReason } from "./eventBody";

describe("eventBody", () => {
  it("sends instants, trimmed text and no empty description", () => {
    const body = eventBody({ title: " Fête ", starts_at: "2030-06-01T18:00", ends_at: "2030-06-01T22:00", place: " parc ", description: " ", small_fee: false });
    expect(body).toEqual({
      title: "Fête", place: "parc", small_fee: false,
      starts_at: new Date("2030-06-01T18:00").toISOString(), ends_at: new Date("2030-06-01T22:00").toISOString(),
    });
  });

  it("puts fee reasons by the small-fee box, advert words by the description", () => {
    expect(fieldOfReason("fee_without_small_fee_flag")).toBe("small_fee");
    expect(fieldOfReason("price_with_sales_words")).toBe("description");
  });
});
