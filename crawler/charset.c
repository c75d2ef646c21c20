/* placeholder */ typedef int kw_charset;
