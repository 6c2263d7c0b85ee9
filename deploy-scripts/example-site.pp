# Example manifest for the `puppet` deployer (docs/deploy-executor.md §Deployers).
# Signed as the payload of an update whose URI maps to { "type": "puppet" }, it is run
# by the deploy executor with `puppet apply --detailed-exitcodes` (exit 0 or 2 =
# applied), as root. Manifests are idempotent by nature: a re-run after a crash changes
# nothing that is already right.
file { '/var/lib/p2p-update-demo':
  ensure => directory,
  mode   => '0755',
}

file { '/var/lib/p2p-update-demo/puppet-marker':
  ensure  => file,
  content => "applied by puppet via p2p-update\n",
  require => File['/var/lib/p2p-update-demo'],
}
