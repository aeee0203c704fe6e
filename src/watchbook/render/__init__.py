"""All terminal output, and the only package that touches rich.

On a terminal: rich tables, Markdown and bars; piped: plain lines for grep, cut and awk; JSON
when asked. Modules: output (the streams and the primitives), entries (list, show, search,
check, recommend), reports (stats, diary, export and import summaries), progress (bars).
"""
