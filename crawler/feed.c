/* placeholder */ typedef int kw_feed;
