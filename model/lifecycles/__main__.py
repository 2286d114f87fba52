from model.lifecycles import render_markdown

print(render_markdown(), end="")
