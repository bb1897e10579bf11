import type { AccountMessages } from "./en";

export default {
  "account.forgotLink": "Passwuert vergiess?",
  "account.forgot.title": "Äert Passwuert zrécksetzen",
  "account.forgot.intro": "Gitt d’E-Mail-Adress vun Ärem Kont an. Mir schécken do e Link hin, fir en neit Passwuert ze wielen.",
  "account.forgot.submit": "Schéckt mir e Link",
  "account.forgot.sent": "Wann e Kont {email} benotzt, hu mir him e Link geschéckt. En ass 30 Minutte gülteg. Kuckt och an Ärem Spam-Dossier.",
  "account.forgot.tooMany": "Ze vill Ufroen. Waart e puer Minutten a probéiert et nach eng Kéier.",
  "account.reset.title": "En neit Passwuert wielen",
  "account.reset.newPassword": "Neit Passwuert",
  "account.reset.hint": "Mindestens 10 Zeechen. E puer Wierder ouni Zesummenhang sinn einfach ze behalen a schwéier ze roden.",
  "account.reset.submit": "Passwuert änneren",
  "account.reset.done": "Äert Passwuert ass geännert an Dir sidd iwwerall ofgemellt. Mellt Iech mat Ärem neie Passwuert un.",
  "account.reset.invalid": "Dëse Link funktionéiert net méi: e gouf scho benotzt, en ass ofgelaf oder onvollstänneg.",
  "account.reset.conflict": "Äre Kont huet sech zwëschenzäitlech geännert. Frot en neie Link un.",
  "account.reset.again": "En neie Link ufroen",
} satisfies AccountMessages;
