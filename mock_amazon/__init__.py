"""A stateful mock of Amazon's Selling Partner API and of SmartConnect / External Fulfillment.

`create_app(...)` gives the Flask app; `MockAmazon` is the same mock without HTTP, for in-process use.
"""
from mock_amazon.app import create_app
from mock_amazon.core import MockAmazon, Settings

__all__ = ["create_app", "MockAmazon", "Settings"]
