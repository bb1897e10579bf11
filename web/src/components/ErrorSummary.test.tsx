import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { I18nProvider } from "../i18n/I18n";
import { ErrorSummary } from "./ErrorSummary";
import { TextField } from "./Field";

describe("ErrorSummary", () => {
  it("is announced, takes focus and links each problem to its field", () => {
    render(
      <I18nProvider language="en">
        <ErrorSummary errors={[{ field: "email", message: "Enter your e-mail" }]} />
        <TextField id="email" label="E-mail" error="Enter your e-mail" />
      </I18nProvider>,
    );
    const summary = screen.getByRole("alert");
    expect(summary).toHaveFocus();
    expect(summary).toHaveTextContent("There is a problem");
    fireEvent.click(screen.getByRole("link", { name: "Enter your e-mail" }));
    const field = screen.getByLabelText("E-mail");
    expect(field).toHaveFocus();
    expect(field).toHaveAttribute("aria-invalid", "true");
    expect(field).toHaveAccessibleDescription("Enter your e-mail");
  });

  it("renders nothing without errors", () => {
    const { container } = render(
      <I18nProvider language="ar">
        <ErrorSummary errors={[]} />
      </I18nProvider>,
    );
    expect(container).toBeEmptyDOMElement();
    expect(document.documentElement.dir).toBe("rtl");
  });
});
