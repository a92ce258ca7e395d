// What Swift cannot import from ncursesw directly: globals that strict concurrency rejects,
// macros, and the wide-character and extended-colour calls behind them.
#ifndef TOWER_NCURSESW_SHIM_H
#define TOWER_NCURSESW_SHIM_H

#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <ncursesw/ncurses.h>
#include <locale.h>
#include <langinfo.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

extern int wcwidth(wchar_t);

static inline int tower_wcwidth(unsigned int c) { return wcwidth((wchar_t)c); }
static inline int tower_lines(void) { return LINES; }
static inline int tower_cols(void) { return COLS; }
static inline int tower_colors(void) { return COLORS; }
static inline int tower_color_pairs(void) { return COLOR_PAIRS; }
static inline WINDOW *tower_stdscr(void) { return stdscr; }

/// Whether the locale's character set is UTF-8 (after setlocale).
static inline int tower_locale_is_utf8(void) {
    const char *codeset = nl_langinfo(CODESET);
    return codeset != NULL && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0);
}

static inline attr_t tower_attributes(int bold, int reverse, int underline) {
    attr_t a = A_NORMAL;
    if (bold) a |= A_BOLD;
    if (reverse) a |= A_REVERSE;
    if (underline) a |= A_UNDERLINE;
    return a;
}

/// Puts one grapheme (a NUL-terminated wide string) at (y, x) with attributes and a colour pair.
static inline int tower_put(int y, int x, const wchar_t *text, attr_t attributes, int pair) {
    cchar_t cell;
    if (setcchar(&cell, text, attributes, (short)(pair <= 32767 ? pair : 0), &pair) != OK) return ERR;
    return mvwadd_wch(stdscr, y, x, &cell);
}

static inline int tower_init_pair(int pair, int foreground, int background) {
    return init_extended_pair(pair, foreground, background);
}

static inline int tower_key_code_yes(void) { return KEY_CODE_YES; }

/// Reports presses of the first button and the wheel (buttons 4 and 5), at once (no click
/// timing): the console asks for nothing it does not use.
static inline void tower_enable_mouse(void) {
    mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
    mouseinterval(0);
}

static inline int tower_key_mouse(void) { return KEY_MOUSE; }

/// The mouse event behind a KEY_MOUSE: 1 a press of the first button, 4 the wheel up, 5 down,
/// 0 anything else; ERR when there is none.
static inline int tower_read_mouse(int *x, int *y, int *kind) {
    MEVENT event;
    if (getmouse(&event) != OK) return ERR;
    *x = event.x;
    *y = event.y;
    if (event.bstate & BUTTON4_PRESSED) *kind = 4;
    else if (event.bstate & BUTTON5_PRESSED) *kind = 5;
    else if (event.bstate & BUTTON1_PRESSED) *kind = 1;
    else *kind = 0;
    return OK;
}

static void tower_crash_handler(int signal_number) {
    endwin();
    signal(signal_number, SIG_DFL);
    raise(signal_number);
}

/// On a crash, give the terminal back before dying (the default action then runs).
static inline void tower_install_crash_handlers(void) {
    int signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE};
    for (unsigned i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
        struct sigaction action;
        memset(&action, 0, sizeof(action));
        action.sa_handler = tower_crash_handler;
        action.sa_flags = SA_RESETHAND;
        sigaction(signals[i], &action, NULL);
    }
}

/// Ctrl-Z is remembered by a plain handler (installed at once, unlike a dispatch source) and
/// acted on by the ncurses thread, which owns the terminal.
static volatile sig_atomic_t tower_suspend_requested = 0;

static void tower_suspend_handler(int signal_number) {
    (void)signal_number;
    tower_suspend_requested = 1;
}

static inline void tower_install_suspend_handler(void) {
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = tower_suspend_handler;
    action.sa_flags = SA_RESTART;
    sigaction(SIGTSTP, &action, NULL);
}

/// Whether Ctrl-Z was pressed since the last call.
static inline int tower_take_suspend_request(void) {
    int requested = tower_suspend_requested;
    tower_suspend_requested = 0;
    return requested;
}
#endif
