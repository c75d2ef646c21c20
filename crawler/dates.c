/* placeholder */ typedef int kw_dates;
