import { createContext, useCallback, useContext, useEffect, useMemo, useState } from "react";
import type { ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { endSession, onSessionChange, refreshSession, setSession, type Profile, type Tokens } from "../api/session";
import { useI18n } from "../i18n/I18n";
import { isLanguage } from "../i18n/languages";

type SessionState = {
  status: "restoring" | "anonymous" | "signed-in";
  user: Profile | null;
  signIn: (tokens: Tokens) => void;
  signOut: () => Promise<void>;
  updateUser: (user: Profile) => void;
};

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<SessionState["status"]>("restoring");
  const [user, setUser] = useState<Profile | null>(null);
  const { setLanguage } = useI18n();
  const queryClient = useQueryClient();

  const adopt = useCallback(
    (tokens: Tokens | null) => {
      setUser(tokens?.user ?? null);
      setStatus(tokens ? "signed-in" : "anonymous");
      if (isLanguage(tokens?.user?.language)) setLanguage(tokens.user.language);
    },
    [setLanguage],
  );

  useEffect(() => {
    const stop = onSessionChange(adopt);
    // A reload keeps the session: the cookie gives a new access token (nothing was stored).
    refreshSession().then((tokens) => {
      if (!tokens) setStatus("anonymous");
    });
    return () => {
      stop();
    };
  }, [adopt]);

  const value = useMemo<SessionState>(
    () => ({
      status,
      user,
      signIn: (tokens) => setSession(tokens),
      signOut: async () => {
        await endSession();
        queryClient.clear();
      },
      updateUser: (next) => {
        setUser(next);
        if (isLanguage(next.language)) setLanguage(next.language);
      },
    }),
    [status, user, queryClient, setLanguage],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const context = useContext(SessionContext);
  if (!context) throw new Error("useSession outside SessionProvider");
  return context;
}
