/** The light/dark choice, shared by the entry (which applies it) and the shell (which toggles it). */
import { createContext, useContext } from 'react';

export type ThemeName = 'light' | 'dark';

export const ThemeToggleContext = createContext<{ theme: ThemeName; setTheme: (theme: ThemeName) => void }>({
  theme: 'light',
  setTheme: () => undefined,
});

export const useThemeToggle = () => useContext(ThemeToggleContext);
