from typing import Any

from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class CountedPagination(PageNumberPagination):
    """Page-number pagination that also sends the total as ``X-Total-Count``.

    A browser script reads that header only if the route's policy lists it in
    ``expose_headers``: it is not a CORS-safelisted response header.
    """

    # Set here, not only as PAGE_SIZE: DRF binds PAGE_SIZE at import time.
    page_size = 5
    page_size_query_param = "page_size"
    max_page_size = 50

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        assert self.page is not None
        response["X-Total-Count"] = str(self.page.paginator.count)
        return response
