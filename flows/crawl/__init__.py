"""The fetch stage: crawl 政府信息公开年报 columns politely and incrementally."""

from flows.crawl.config import CrawlSettings, SiteConfig, SourcesError, load_sources
from flows.crawl.crawl import CrawlResult, FetchedDocument, crawl, crawl_sites
from flows.crawl.ledger import Ledger, read_fetches, record_parsed

__all__ = ["CrawlResult", "CrawlSettings", "FetchedDocument", "Ledger", "SiteConfig",
           "SourcesError", "crawl", "crawl_sites", "load_sources", "read_fetches",
           "record_parsed"]
