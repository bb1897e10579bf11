import type { AreaCatalogues } from "../../../i18n/areas";
import de from "./de";
import en, { type AccountKey } from "./en";
import fr from "./fr";
import lb from "./lb";
import nl from "./nl";
import pt from "./pt";

const messages: AreaCatalogues<AccountKey> = { en, fr, de, nl, pt, lb };
export default messages;
