import type { PostsMessages } from "./en";

export default {
  "postEdit.title": "Editar a sua publicação",
  "postEdit.edit": "Editar",
  "postEdit.save": "Guardar alterações",
  "postEdit.cancel": "Voltar à publicação",
  "postEdit.refused": "As suas alterações não foram guardadas: {reason}",
  "postEdit.pending": "A aguardar revisão: um moderador verifica esta publicação antes de os seus vizinhos a voltarem a ver.",
  "postOwner.title": "A sua publicação",
  "postOwner.shared": "A cidade pode ler esta publicação.",
  "postOwner.notShared": "Só os seus vizinhos podem ler esta publicação.",
  "postOwner.share": "Partilhar com a cidade",
  "postOwner.unshare": "Deixar de partilhar com a cidade",
  "postOwner.solve": "Marcar como resolvido",
  "postOwner.solved": "Resolvido",
  "postOwner.delete": "Apagar a publicação",
  "postOwner.confirmDelete": "Apagar esta publicação com os comentários e agradecimentos? Não é possível desfazer.",
  "postOwner.confirmDeleteYes": "Sim, apagar",
  "postOwner.keep": "Manter",
  "postOwner.failed": "Não funcionou. Tente de novo daqui a pouco.",
} satisfies PostsMessages;
