import type { PostsMessages } from "./en";

export default {
  "postEdit.title": "Modifier votre publication",
  "postEdit.edit": "Modifier",
  "postEdit.save": "Enregistrer les modifications",
  "postEdit.cancel": "Retour à la publication",
  "postEdit.refused": "Vos modifications n’ont pas été enregistrées : {reason}",
  "postEdit.pending": "En attente d’examen : un modérateur vérifie cette publication avant que vos voisins la revoient.",
  "postOwner.title": "Votre publication",
  "postOwner.shared": "La ville peut lire cette publication.",
  "postOwner.notShared": "Seuls vos voisins peuvent lire cette publication.",
  "postOwner.share": "Partager avec la ville",
  "postOwner.unshare": "Ne plus partager avec la ville",
  "postOwner.solve": "Marquer comme résolu",
  "postOwner.solved": "Résolu",
  "postOwner.delete": "Supprimer la publication",
  "postOwner.confirmDelete": "Supprimer cette publication avec ses commentaires et remerciements ? C’est définitif.",
  "postOwner.confirmDeleteYes": "Oui, la supprimer",
  "postOwner.keep": "La garder",
  "postOwner.failed": "Cela n’a pas fonctionné. Réessayez dans un instant.",
} satisfies PostsMessages;
