import type { AreaCatalogues } from "../../../i18n/areas";
import de from "./de";
import en, { type OrganisationKey } from "./en";
import fr from "./fr";
import lb from "./lb";
import nl from "./nl";
import pt from "./pt";

const messages: AreaCatalogues<OrganisationKey> = { en, fr, de, nl, pt, lb };
export default messages;
