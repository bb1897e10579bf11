// The account area's English messages (password reset). The other catalogues here have the same
// keys (the type check enforces it).
const en = {
  "account.forgotLink": "Forgot your password?",
  "account.forgot.title": "Reset your password",
  "account.forgot.intro": "Enter the e-mail address of your account. We will send it a link to choose a new password.",
  "account.forgot.submit": "Send me a link",
  "account.forgot.sent": "If an account uses {email}, we have sent it a link. It works for 30 minutes. Look in your spam folder too.",
  "account.forgot.tooMany": "Too many requests. Wait a few minutes and try again.",
  "account.reset.title": "Choose a new password",
  "account.reset.newPassword": "New password",
  "account.reset.hint": "At least 10 characters. A few unrelated words are easy to remember and hard to guess.",
  "account.reset.submit": "Change password",
  "account.reset.done": "Your password is changed and you are signed out everywhere. Log in with your new password.",
  "account.reset.invalid": "This link does not work any more: it was used, it expired or it is incomplete.",
  "account.reset.conflict": "Your account changed meanwhile. Ask for a new link.",
  "account.reset.again": "Ask for a new link",
};

export type AccountKey = keyof typeof en;
export type AccountMessages = Record<AccountKey, string>;
export default en satisfies AccountMessages;
