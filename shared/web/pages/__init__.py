"""Pages for people in a browser (CONTRACT §9): templates, sign-in, sessions, forms, i18n.

Generic: nothing here knows a service. A service's pages (the ops console, the USD worklist)
register their templates, static files and messages with `Pages` and use the sign-in
dependencies of `shared.web.pages.signin`.
"""
