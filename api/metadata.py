"""What ``OPTIONS`` says about an endpoint: its name and the media types it speaks.

Not the fields it reads: Django REST framework would describe the serializer a
view shows (its answer, not its input) and look the object up without a
queryset to do it. The OpenAPI schema says what each method reads.
"""

from rest_framework.metadata import SimpleMetadata


class EndpointMetadata(SimpleMetadata):
    def determine_actions(self, request, view):
        return {}
