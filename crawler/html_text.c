/* placeholder */ typedef int kw_html_text;
